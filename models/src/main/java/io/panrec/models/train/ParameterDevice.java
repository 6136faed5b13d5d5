package io.panrec.models.train;

import io.panrec.nn.Module;
import io.panrec.tensor.Device;

import java.util.Objects;

/**
 * The device of a module's parameters ({@link Module#device()}), looked up again only when the module's
 * {@link Module#stateVersion()} has moved ({@code to(device)}, a state load, a switch to training): the models
 * ask it on every forward pass, scoring included, to send the ids they assemble in Java where their tables are,
 * and a version check is a plain walk where {@code device()} builds the map of named parameters.
 */
public final class ParameterDevice {
    private record Seen(long version, Device device) {
    }

    private final Module module;
    private volatile Seen seen;

    public ParameterDevice(Module module) {
        this.module = Objects.requireNonNull(module, "module");
    }

    /** Where the module's parameters are now. */
    public Device get() {
        long version = module.stateVersion();
        Seen s = seen;
        if (s == null || s.version() != version) {
            s = new Seen(version, module.device());
            seen = s;
        }
        return s.device();
    }
}
