package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Status codes become messages naming the library's status and its own words; these need no GPU. */
class CudaExceptionTest {

    @Test
    void statusNamesOfEveryLibrary() {
        assertEquals("cudaErrorMemoryAllocation", CudaException.statusName(Library.CUDART, 2));
        assertEquals("cudaErrorInsufficientDriver", CudaException.statusName(Library.CUDART, 35));
        assertEquals("cudaError 12345", CudaException.statusName(Library.CUDART, 12345));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CudaException.statusName(Library.CUBLAS, 7));
        assertEquals("NVRTC_ERROR_COMPILATION", CudaException.statusName(Library.NVRTC, 6));
        assertEquals("CUDNN_STATUS_BAD_PARAM", CudaException.statusName(Library.CUDNN, 2000));
        // cuDNN 9 codes: category plus specific error
        assertEquals("CUDNN_STATUS_BAD_PARAM (specific error 2)", CudaException.statusName(Library.CUDNN, 2002));
        assertEquals("CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH", CudaException.statusName(Library.CUDNN, 1002));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (specific error 7)", CudaException.statusName(Library.CUDNN, 3007));
        assertEquals("cudnnStatus 9999", CudaException.statusName(Library.CUDNN, 9999));
    }

    @Test
    void messagesCarryFunctionStatusLibraryTextAndContext() {
        CudaException e = new CudaException(Library.CUDNN, "cudnnConvolutionForward", 3000, "CUDNN_STATUS_NOT_SUPPORTED; no engine",
                "algo 1");
        assertEquals("cudnnConvolutionForward failed: CUDNN_STATUS_NOT_SUPPORTED (3000): CUDNN_STATUS_NOT_SUPPORTED; no engine "
                + "[algo 1]", e.getMessage());
        assertEquals(3000, e.status());
        assertEquals("cudnnConvolutionForward", e.function());
        assertEquals(Library.CUDNN, e.library());
        // the library's text is left out when it only repeats the name
        assertEquals("cublasSgemm failed: CUBLAS_STATUS_NOT_SUPPORTED (15)",
                new CudaException(Library.CUBLAS, "cublasSgemm", 15, "CUBLAS_STATUS_NOT_SUPPORTED", null).getMessage());
    }

    @Test
    void outOfMemoryNamesTheRequestWhatIsFreeAndWhatToDo() {
        CudaOutOfMemoryException e = new CudaOutOfMemoryException("cudaMallocAsync", 2, "out of memory", 3L << 30, 512L << 20,
                80L << 30, 70L << 30, 0);
        assertTrue(e.getMessage().contains("requested 3221225472 bytes (3.0 GiB), free 536870912 bytes (512.0 MiB) of "
                + "85899345920 bytes (80.0 GiB), panrec tensors hold 75161927680 bytes (70.0 GiB)"), e.getMessage());
        assertTrue(e.getMessage().startsWith("cudaMallocAsync failed: cudaErrorMemoryAllocation (2): out of memory"), e.getMessage());
        assertTrue(e.getMessage().contains("close their Scope") && e.getMessage().contains("-Dpanrec.cuda.device"), e.getMessage());
        assertEquals(3L << 30, e.requested());
        assertEquals(512L << 20, e.free());
        assertEquals("unknown", CudaOutOfMemoryException.bytes(-1));
        assertEquals("12 bytes", CudaOutOfMemoryException.bytes(12));
    }

    @Test
    void theRuntimesOwnWordsWhenThisMachineHasOne() {
        assumeTrue(CudaLibraries.path(Library.CUDART) != null, "no CUDA runtime here: " + CudaLibraries.availability());
        CudaException e = assertThrows(CudaException.class, () -> Cuda.check(2, "cudaMalloc", "1 byte"));
        assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory [1 byte]", e.getMessage());
        e = assertThrows(CudaException.class, () -> Cuda.check(35, "cudaGetDeviceCount"));
        assertTrue(e.getMessage().contains("CUDA driver version is insufficient for CUDA runtime version"), e.getMessage());
        Cuda.check(0, "cudaFree");
    }

    @Test
    void aLibraryThatIsNotLoadedStillGivesAStatusName() {
        assumeTrue(CudaLibraries.path(Library.CUBLAS) == null, "cuBLAS is installed here");
        CudaException e = assertThrows(CudaException.class, () -> Cublas.check(7, "cublasSgemm", "[1, 2, 3]"));
        assertEquals("cublasSgemm failed: CUBLAS_STATUS_INVALID_VALUE (7) [[1, 2, 3]]", e.getMessage());
    }
}
