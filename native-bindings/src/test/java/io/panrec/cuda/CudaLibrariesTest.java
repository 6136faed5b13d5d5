package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Env;
import io.panrec.cuda.CudaLibraries.Library;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Library discovery and the reasons for unavailability, on fake folder layouts (empty files named like the
 * libraries), so they run on any machine; one test probes the real machine when it has a CUDA runtime.
 */
class CudaLibrariesTest {
    @TempDir
    Path tmp;

    private Env env(String cudaPath, String ld, Map<String, String> vars) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        return new Env(cudaPath, ld, home, root, vars);
    }

    private static Path touch(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.write(dir.resolve(n), new byte[0]);
        }
        return dir;
    }

    @Test
    void anEmptyCudaPathIsNamedInEveryReasonAndNothingElseIsSearched() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        // a runtime elsewhere must not be picked up when the property says where to look
        Env e = env(empty.toString(), touch(tmp.resolve("ld"), "libcudart.so.12").toString(), Map.of());
        CudaLibraries.State s = CudaLibraries.load(e, 0);
        assertFalse(s.ok());
        assertTrue(s.lookups().isEmpty());
        assertEquals(Library.values().length, s.reasons().size(), s.reasons().toString());
        for (Library lib : Library.values()) {
            String reason = s.reasons().stream().filter(r -> r.startsWith(lib.title + " (")).findFirst().orElseThrow(
                    () -> new AssertionError("no reason for " + lib + ": " + s.reasons()));
            assertTrue(reason.contains("-Dpanrec.cuda.path=" + empty), reason);
            assertTrue(reason.contains(lib.pattern()), reason);
            assertTrue(reason.contains("pip install " + lib.wheel), reason);
        }
    }

    @Test
    void aMissingCudaPathFolderIsSaidToBeMissing() throws IOException {
        Path nowhere = tmp.resolve("does-not-exist");
        CudaLibraries.State s = CudaLibraries.load(env(nowhere.toString(), null, Map.of()), 0);
        assertTrue(s.reasons().getFirst().contains(nowhere + " (no such folder)"), s.reasons().getFirst());
    }

    @Test
    void pythonWheelsAreFoundWithTheirCompanionsInLoadOrder() throws IOException {
        Env e = env(null, null, Map.of());
        Path site = e.home().resolve(".local/lib/python3.11/site-packages/nvidia");
        Path rt = touch(site.resolve("cuda_runtime/lib"), "libcudart.so.12");
        Path blas = touch(site.resolve("cublas/lib"), "libcublas.so.12", "libcublasLt.so.12", "libnvblas.so.12");
        Path dnn = touch(site.resolve("cudnn/lib"), "libcudnn.so.9", "libcudnn_cnn.so.9", "libcudnn_ops.so.9",
                "libcudnn_graph.so.9", "libcudnn_heuristic.so.9");
        Path rtc = touch(site.resolve("cuda_nvrtc/lib"), "libnvrtc.so.12", "libnvrtc-builtins.so.12.4", "libnvrtc.alt.so.12");
        CudaLibraries.Discovery d = CudaLibraries.discover(e);
        assertEquals(List.of(), d.reasons());
        assertEquals(rt.resolve("libcudart.so.12"), d.found().get(Library.CUDART));
        assertEquals(blas.resolve("libcublas.so.12"), d.found().get(Library.CUBLAS));
        assertEquals(dnn.resolve("libcudnn.so.9"), d.found().get(Library.CUDNN));
        assertEquals(rtc.resolve("libnvrtc.so.12"), d.found().get(Library.NVRTC));
        assertEquals(List.of(blas.resolve("libcublasLt.so.12")), d.companions().get(Library.CUBLAS));
        // graph before heuristic before ops before cnn: each needs the ones before it
        assertEquals(List.of(dnn.resolve("libcudnn_graph.so.9"), dnn.resolve("libcudnn_heuristic.so.9"),
                dnn.resolve("libcudnn_ops.so.9"), dnn.resolve("libcudnn_cnn.so.9")), d.companions().get(Library.CUDNN));
        assertEquals(List.of(rtc.resolve("libnvrtc-builtins.so.12.4")), d.companions().get(Library.NVRTC));

        // the files are empty: loading fails, and each failure names the file
        CudaLibraries.State s = CudaLibraries.load(e, 0);
        assertFalse(s.ok());
        assertTrue(s.reasons().stream().anyMatch(r -> r.startsWith("cannot load " + rt.resolve("libcudart.so.12"))), s.reasons().toString());
        assertTrue(s.reasons().stream().anyMatch(r -> r.contains(blas.resolve("libcublasLt.so.12") + " (needed by cuBLAS)")),
                s.reasons().toString());
        assertTrue(s.reasons().stream().anyMatch(r -> r.contains(dnn.resolve("libcudnn_graph.so.9") + " (needed by cuDNN)")),
                s.reasons().toString());
        assertNull(s.paths().get(Library.CUDART));
    }

    @Test
    void searchOrderIsPropertyThenLdLibraryPathThenCudaInstallsThenWheelsThenSystem() throws IOException {
        Path ld = touch(tmp.resolve("ld"), "libcublas.so.12");
        Env e = env(null, "/nonexistent:" + ld, Map.of());
        Path cuda = touch(e.root().resolve("usr/local/cuda/lib64"), "libcudart.so.12", "libcublas.so.12");
        Path cuda124 = touch(e.root().resolve("usr/local/cuda-12.4/lib64"), "libnvrtc.so.12");
        Path cuda121 = touch(e.root().resolve("usr/local/cuda-12.1/targets/x86_64-linux/lib"), "libnvrtc.so.12");
        Path wheel = touch(e.root().resolve("usr/local/lib/python3.12/dist-packages/nvidia/cudnn/lib"), "libcudnn.so.9");
        Path sys = touch(e.root().resolve("usr/lib/x86_64-linux-gnu"), "libcudnn.so.9", "libcudart.so.12");
        List<Path> dirs = CudaLibraries.searchDirs(e);
        // usr/lib exists as the parent of the others, so it is searched last
        assertEquals(List.of(ld, cuda, cuda124, cuda121, wheel, sys, e.root().resolve("usr/lib")), dirs);
        CudaLibraries.Discovery d = CudaLibraries.discover(e);
        assertEquals(cuda.resolve("libcudart.so.12"), d.found().get(Library.CUDART));
        assertEquals(ld.resolve("libcublas.so.12"), d.found().get(Library.CUBLAS));
        assertEquals(cuda124.resolve("libnvrtc.so.12"), d.found().get(Library.NVRTC));
        assertEquals(wheel.resolve("libcudnn.so.9"), d.found().get(Library.CUDNN));
        // CUDA_HOME comes right after LD_LIBRARY_PATH
        Path home = touch(tmp.resolve("toolkit/lib64"), "libcudart.so.13");
        Env withHome = new Env(null, ld.toString(), e.home(), e.root(), Map.of("CUDA_HOME", tmp.resolve("toolkit").toString()));
        assertEquals(home.resolve("libcudart.so.13"), CudaLibraries.discover(withHome).found().get(Library.CUDART));
    }

    @Test
    void missingLibrariesAreNamedAndTheFoldersSearchedListedOnce() throws IOException {
        Env e = env(null, null, Map.of());
        Path cuda = touch(e.root().resolve("usr/local/cuda/lib64"), "libcudart.so.12");
        CudaLibraries.Discovery d = CudaLibraries.discover(e);
        assertEquals(cuda.resolve("libcudart.so.12"), d.found().get(Library.CUDART));
        assertEquals(List.of("cuBLAS", "cuDNN", "NVRTC", "folders"), d.reasons().stream().map(r -> r.split(" ")[0]).toList());
        assertTrue(d.reasons().get(1).startsWith("cuDNN (libcudnn.so.9) not found in the folders searched: install it "
                + "(e.g. pip install nvidia-cudnn-cu12, or the CUDA toolkit and cuDNN 9)"), d.reasons().get(1));
        assertTrue(d.reasons().getLast().endsWith(": " + cuda), d.reasons().getLast());
    }

    @Test
    void theSonameBeatsFullVersionsAndTheDevLinkAndOldMajorsAreRejectedWithAReason() throws IOException {
        Path dir = touch(tmp.resolve("lib"), "libcudart.so", "libcudart.so.12.4.127", "libcudart.so.12", "libcudart.so.11.0",
                "libcudnn.so.8", "libcudnn.so.8.9.7");
        List<String> rejected = new java.util.ArrayList<>();
        assertEquals(dir.resolve("libcudart.so.12"), CudaLibraries.pick(dir, Library.CUDART, -1, rejected));
        assertTrue(rejected.stream().anyMatch(r -> r.startsWith("libcudart.so.11.0 in " + dir)), rejected.toString());
        assertNull(CudaLibraries.pick(dir, Library.CUDNN, -1, rejected));
        CudaLibraries.State s = CudaLibraries.load(env(dir.toString(), null, Map.of()), 0);
        String cudnn = s.reasons().stream().filter(r -> r.startsWith("cuDNN")).findFirst().orElseThrow();
        assertTrue(cudnn.contains("skipped libcudnn.so.8 in " + dir + " (cuDNN 8; panrec needs 9)"), cudnn);
        Path dev = touch(tmp.resolve("dev"), "libcudart.so");
        assertEquals(dev.resolve("libcudart.so"), CudaLibraries.pick(dev, Library.CUDART, -1, rejected));
    }

    @Test
    void theCudaLibrariesFollowTheRuntimesMajorVersionAcrossFolders() throws IOException {
        Path a = touch(tmp.resolve("a"), "libcudart.so.12", "libcublas.so.13", "libnvrtc.so.13");
        Path b = touch(tmp.resolve("b"), "libcublas.so.12");
        Env e = env(a + java.io.File.pathSeparator + b, null, Map.of());
        CudaLibraries.Discovery d = CudaLibraries.discover(e);
        assertEquals(b.resolve("libcublas.so.12"), d.found().get(Library.CUBLAS));
        // no NVRTC 12 anywhere: the 13 is still better than nothing
        assertEquals(a.resolve("libnvrtc.so.13"), d.found().get(Library.NVRTC));
        // within one folder the highest major wins when nothing is preferred
        Path c = touch(tmp.resolve("c"), "libnvrtc.so.12", "libnvrtc.so.13");
        assertEquals(c.resolve("libnvrtc.so.13"), CudaLibraries.pick(c, Library.NVRTC, -1, new java.util.ArrayList<>()));
    }

    @Test
    void pyenvCondaAndVirtualenvSitePackagesAreScanned() throws IOException {
        Env base = env(null, null, Map.of());
        Path venv = tmp.resolve("venv");
        Path conda = tmp.resolve("conda");
        Path pyenv = tmp.resolve("pyenv");
        Path v1 = Files.createDirectories(venv.resolve("lib/python3.10/site-packages"));
        Path c1 = Files.createDirectories(conda.resolve("lib/python3.11/site-packages"));
        Path p1 = Files.createDirectories(pyenv.resolve("versions/3.12.1/lib/python3.12/site-packages"));
        Path h1 = Files.createDirectories(base.home().resolve(".local/lib/python3.9/site-packages"));
        Env e = new Env(null, null, base.home(), base.root(), Map.of("VIRTUAL_ENV", venv.toString(), "CONDA_PREFIX",
                conda.toString(), "PYENV_ROOT", pyenv.toString()));
        assertEquals(List.of(h1, v1, c1, p1), CudaLibraries.sitePackages(e));
    }

    @Test
    void thisMachinesRuntimeExplainsWhyThereIsNoGpu() {
        CudaLibraries.Discovery d = CudaLibraries.discover(Env.system());
        assumeTrue(d.found().containsKey(Library.CUDART), "no CUDA runtime on this machine: " + d.reasons());
        CudaLibraries.State s = CudaLibraries.load(Env.system(), 0);
        if (s.paths().containsKey(Library.CUDART) && s.info().deviceCount() == 0) {
            assertFalse(s.ok());
            assertTrue(s.reasons().stream().anyMatch(r -> r.contains("cudaGetDeviceCount") || r.contains("sees no GPU")),
                    s.reasons().toString());
        } else if (s.ok()) {
            assertFalse(s.info().deviceName().isEmpty(), s.info().toString());
            assertTrue(s.info().runtimeVersion() >= 12000, s.info().toString());
        }
        // the public entry points agree with a fresh load and never throw
        assertEquals(s.ok(), CudaLibraries.availability().available(), CudaLibraries.availability().toString());
    }
}
