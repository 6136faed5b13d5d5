/**
 * Neural-network building blocks on top of {@link io.panrec.ops} and {@link io.panrec.autograd}, in
 * the manner of PyTorch's {@code torch.nn}: {@link io.panrec.nn.Module} (a tree of named parameters,
 * buffers and submodules, with train/eval modes and state dicts whose keys match PyTorch's where the
 * layer exists there), {@link io.panrec.nn.Parameter}, {@link io.panrec.nn.Init} and the layers.
 *
 * <p>Every random initialisation and dropout pattern comes from a {@link java.util.SplittableRandom}
 * passed by the caller: the same seed builds and trains the same model.
 */
package io.panrec.nn;
