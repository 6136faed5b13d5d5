package io.panrec.onednn;

import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneDnnLibraryTest {

    @Test
    void extractionIsCachedAndVerified() throws Exception {
        Path first = OneDnnLibrary.extract();
        assertTrue(Files.isRegularFile(first) && Files.isRegularFile(first.resolveSibling("libgomp.so.1")), String.valueOf(first));
        long modified = Files.getLastModifiedTime(first).toMillis();
        Path again = OneDnnLibrary.extract();
        assertEquals(first, again);
        assertEquals(modified, Files.getLastModifiedTime(again).toMillis(), "a verified copy is reused, not rewritten");
        assertFalse(Files.list(first.getParent()).anyMatch(p -> p.toString().endsWith(".part")), "no temporary files left");
    }

    @Test
    void providerIsRankedAboveThePureJavaBackends() {
        BackendProvider p = Backends.providers().getFirst();
        assertEquals("onednn", p.name());
        assertEquals(200, p.rank());
        assertTrue(p.availability().available(), p.availability().toString());
    }

    @Test
    void statusesBecomeExceptionsNamingTheFunction() {
        DnnlException e = assertThrows(DnnlException.class, () -> DnnlException.check(3, "dnnl_matmul_primitive_desc_create"));
        assertTrue(e.getMessage().contains("dnnl_matmul_primitive_desc_create") && e.getMessage().contains("dnnl_unimplemented"),
                e.getMessage());
        DnnlException.check(0, "fine");
    }

    @Test
    void invalidDescriptorsAreReportedNotCrashed() {
        OneDnnLibrary.lookup();
        DnnlException e = assertThrows(DnnlException.class,
                () -> new Dnnl.MemoryDesc(new long[] {2, 3}, new long[] {3, 1}, 12345).close());
        assertTrue(e.getMessage().contains("dnnl_memory_desc_create_with_strides"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dnnl.MemoryDesc(new long[0], new long[0], 3));
    }
}
