package io.panrec.nn;

import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class DerivedCacheTest {

    /** A derived tensor: twice the linear layer's weight, counting its builds. */
    private static Tensor doubled(Linear l, AtomicInteger builds) {
        builds.incrementAndGet();
        return l.weight().mul(2f);
    }

    @Test
    void buildsOncePerStateAndOnlyInEvalMode() {
        Linear l = new Linear(3, 2, new SplittableRandom(1));
        DerivedCache cache = new DerivedCache(l);
        AtomicInteger builds = new AtomicInteger();
        assertNull(cache.get(24, () -> doubled(l, builds)), "training mode: no cache");
        l.eval();
        Tensor a = cache.get(24, () -> doubled(l, builds));
        assertSame(a, cache.get(24, () -> doubled(l, builds)));
        assertEquals(1, builds.get());
        assertArrayEquals(l.weight().mul(2f).toFloatArray(), a.toFloatArray());
        assertEquals(Scope.global(), a.scope(), "outlives the scope of the call that built it");

        long v = l.stateVersion();
        l.eval();
        assertEquals(v, l.stateVersion(), "eval after eval changes nothing");
        l.train();
        assertNotEquals(v, l.stateVersion());
        l.weight().detach().set(5f, 0, 0);
        l.eval();
        Tensor b = cache.get(24, () -> doubled(l, builds));
        assertEquals(2, builds.get());
        assertEquals(10.0, b.get(0, 0), "rebuilt from the trained weight");

        l.loadStateDict(Map.of("weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "bias", Tensor.zeros(2)));
        assertEquals(2.0, cache.get(24, () -> doubled(l, builds)).get(0, 0), "rebuilt after a state load");
        l.weight().detach().set(7f, 0, 0);
        l.markStateChanged();
        assertEquals(14.0, cache.get(24, () -> doubled(l, builds)).get(0, 0), "rebuilt after markStateChanged");
        assertEquals(4, builds.get());
    }

    @Test
    void aChangeInASubmoduleMovesTheRootVersion() {
        MLP m = new MLP(new int[] {4, 3, 2}, new SplittableRandom(2));
        m.eval();
        long v = m.stateVersion();
        m.layers().get(1).markStateChanged();
        assertNotEquals(v, m.stateVersion());
    }

    @Test
    void tooLargeIsNotCached() {
        Linear l = new Linear(3, 2, new SplittableRandom(1));
        l.eval();
        DerivedCache cache = new DerivedCache(l, 16);
        AtomicInteger builds = new AtomicInteger();
        assertNull(cache.get(24, () -> doubled(l, builds)));
        assertEquals(0, builds.get());
    }

    @Test
    void concurrentCallersShareOneBuild() throws Exception {
        Linear l = new Linear(64, 32, new SplittableRandom(3));
        l.eval();
        DerivedCache cache = new DerivedCache(l);
        AtomicInteger builds = new AtomicInteger();
        Map<Tensor, Boolean> seen = new ConcurrentHashMap<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> seen.put(cache.get(64 * 32 * 4, () -> doubled(l, builds)), true)));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, builds.get());
        assertEquals(1, seen.size());
    }
}
