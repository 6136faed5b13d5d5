/**
 * Tensor files: {@link io.panrec.io.SafeTensors} reads safetensors files as zero-copy views of a
 * read-only memory mapping (or as writable copies) after strict validation, and writes them
 * atomically (temporary file, fsync, rename).
 */
package io.panrec.io;
