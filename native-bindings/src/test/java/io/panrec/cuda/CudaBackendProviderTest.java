package io.panrec.cuda;

import io.panrec.backend.Availability;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The provider as ServiceLoader sees it, on any machine; the GPU side is in CudaBackendIT. */
class CudaBackendProviderTest {

    private static BackendProvider cuda() {
        return Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("cuda provider not registered: " + Backends.providers()));
    }

    @Test
    void registeredRankedAboveOneDnnAndNeverThrows() {
        BackendProvider p = cuda();
        assertEquals(300, p.rank());
        assertEquals("cuda", Backends.providers().getFirst().name(), "highest rank first");
        Availability a = p.availability();
        assertEquals(a.available(), a.reasons().isEmpty(), a.toString());
        assertTrue(p.description().startsWith("CUDA through FFM on "), p.description());
    }

    @Test
    void withoutAGpuItIsSkippedWithReasonsAndForcingItSaysWhy() {
        Availability a = cuda().availability();
        assumeFalse(a.available(), "this machine has a usable GPU");
        assertFalse(a.reasons().isEmpty());
        for (String r : a.reasons()) {
            assertFalse(r.isBlank());
        }
        assertNotEquals("cuda", Backends.defaultBackend().name());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.named("cuda"));
        assertTrue(e.getMessage().startsWith("backend 'cuda' is unavailable: " + a.reasons().getFirst()), e.getMessage());
        // the device layer says the same instead of crashing
        IllegalStateException d = assertThrows(IllegalStateException.class, () -> CudaTensors.zeros(CudaTensors.defaultDevice(),
                io.panrec.tensor.DType.F32, 2));
        assertTrue(d.getMessage().startsWith("CUDA is not available: "), d.getMessage());
    }
}
