package io.panrec.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel source compiles as CUDA, with every warning an error, where a CUDA toolkit (nvcc) is installed;
 * a GPU is not needed. (On a GPU NVRTC compiles the same text at run time; CudaBackendIT covers that.)
 */
class CudaKernelSourceTest {
    @TempDir
    Path tmp;

    private static Path nvcc() {
        for (String dir : List.of("/usr/local/cuda/bin", System.getenv().getOrDefault("CUDA_HOME", "/nonexistent") + "/bin")) {
            Path p = Path.of(dir, "nvcc");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void compilesWithNvccWithoutWarnings() throws IOException, InterruptedException {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "no nvcc in /usr/local/cuda/bin or $CUDA_HOME/bin");
        Path src = Files.writeString(tmp.resolve("panrec_kernels.cu"), CudaKernels.SOURCE, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(nvcc.toString(), "--cubin", "-arch=sm_80", "-Werror", "all-warnings", "-o",
                tmp.resolve("k.cubin").toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), out);
        String cubin = new String(Files.readAllBytes(tmp.resolve("k.cubin")), StandardCharsets.ISO_8859_1);
        for (DeviceOps.Kernel k : CudaKernels.ALL) {
            assertTrue(cubin.contains(k.name()), "kernel " + k.name() + " missing from the CUBIN");
        }
    }
}
