/**
 * The plugin host: {@link io.panrec.host.PluginHost} loads the jars of a plugins folder, each in its own
 * class loader over panrec's API, and finds the model and backend providers in them, reporting broken
 * jars and duplicate names instead of failing on them.
 */
package io.panrec.host;
