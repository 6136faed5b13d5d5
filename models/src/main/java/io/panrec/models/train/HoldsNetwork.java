package io.panrec.models.train;

import io.panrec.nn.Module;

/**
 * A model that holds its network ({@link Module}) rather than being one, because beside the network's
 * parameters it keeps state whose sizes depend on the data (users' histories, a ratings matrix): moving
 * the model to a device ({@link Trainer#moveTo}) moves its network, and that state, which Java reads to
 * assemble batches, stays on the host.
 */
public interface HoldsNetwork {
    /** The network whose parameters are trained. */
    Module network();
}
