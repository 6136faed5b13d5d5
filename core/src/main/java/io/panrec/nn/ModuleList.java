package io.panrec.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An ordered list of submodules named "0", "1", ... (PyTorch's {@code nn.ModuleList}), so that a stack
 * of layers has checkpoint keys like {@code layers.0.weight}.
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules = new ArrayList<>();

    public ModuleList() {
    }

    /** Appends a module; returns it. */
    public M add(M module) {
        registerModule(Integer.toString(modules.size()), module);
        modules.add(module);
        return module;
    }

    public M get(int index) {
        return modules.get(index);
    }

    public int size() {
        return modules.size();
    }

    public List<M> asList() {
        return Collections.unmodifiableList(modules);
    }

    @Override
    public Iterator<M> iterator() {
        return asList().iterator();
    }
}
