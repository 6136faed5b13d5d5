package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;

import java.util.Map;

/**
 * A CUDA, cuBLAS, cuDNN or NVRTC call that returned an error: names the library, the function, the status
 * (name and number) and the library's own words for it (cudaGetErrorString, cublasGetStatusString,
 * cudnnGetErrorString, nvrtcGetErrorString), plus what panrec was doing.
 */
public class CudaException extends RuntimeException {
    private final Library library;
    private final String function;
    private final int status;

    public CudaException(Library library, String function, int status, String libraryText, String detail) {
        super(message(library, function, status, libraryText, detail));
        this.library = library;
        this.function = function;
        this.status = status;
    }

    public Library library() {
        return library;
    }

    public String function() {
        return function;
    }

    public int status() {
        return status;
    }

    /** "cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000): the library's text [while ...]". */
    static String message(Library library, String function, int status, String libraryText, String detail) {
        StringBuilder sb = new StringBuilder(function).append(" failed: ").append(statusName(library, status))
                .append(" (").append(status).append(")");
        if (libraryText != null && !libraryText.isBlank() && !libraryText.equals(statusName(library, status))) {
            sb.append(": ").append(libraryText);
        }
        if (detail != null && !detail.isBlank()) {
            sb.append(" [").append(detail).append("]");
        }
        return sb.toString();
    }

    private static final Map<Integer, String> CUDART = Map.ofEntries(
            Map.entry(0, "cudaSuccess"), Map.entry(1, "cudaErrorInvalidValue"), Map.entry(2, "cudaErrorMemoryAllocation"),
            Map.entry(3, "cudaErrorInitializationError"), Map.entry(35, "cudaErrorInsufficientDriver"),
            Map.entry(100, "cudaErrorNoDevice"), Map.entry(209, "cudaErrorNoKernelImageForDevice"),
            Map.entry(218, "cudaErrorInvalidPtx"), Map.entry(222, "cudaErrorUnsupportedPtxVersion"),
            Map.entry(700, "cudaErrorIllegalAddress"), Map.entry(719, "cudaErrorLaunchFailure"),
            Map.entry(801, "cudaErrorNotSupported"));
    private static final Map<Integer, String> CUBLAS = Map.of(
            0, "CUBLAS_STATUS_SUCCESS", 1, "CUBLAS_STATUS_NOT_INITIALIZED", 3, "CUBLAS_STATUS_ALLOC_FAILED",
            7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH", 11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR", 15, "CUBLAS_STATUS_NOT_SUPPORTED",
            16, "CUBLAS_STATUS_LICENSE_ERROR");
    /** cuDNN 9 codes are a category (thousands) plus a specific error; the categories are named here. */
    private static final Map<Integer, String> CUDNN_CATEGORIES = Map.of(
            0, "CUDNN_STATUS_SUCCESS", 1000, "CUDNN_STATUS_NOT_INITIALIZED", 2000, "CUDNN_STATUS_BAD_PARAM",
            3000, "CUDNN_STATUS_NOT_SUPPORTED", 4000, "CUDNN_STATUS_INTERNAL_ERROR", 5000, "CUDNN_STATUS_EXECUTION_FAILED");
    private static final Map<Integer, String> CUDNN = Map.of(
            1002, "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH", 1008, "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED",
            4003, "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED", 4004, "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED");
    private static final Map<Integer, String> NVRTC = Map.of(
            0, "NVRTC_SUCCESS", 1, "NVRTC_ERROR_OUT_OF_MEMORY", 2, "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
            3, "NVRTC_ERROR_INVALID_INPUT", 4, "NVRTC_ERROR_INVALID_PROGRAM", 5, "NVRTC_ERROR_INVALID_OPTION",
            6, "NVRTC_ERROR_COMPILATION", 7, "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE", 11, "NVRTC_ERROR_INTERNAL_ERROR");

    /** The C name of a status code; codes not listed here keep their category (cuDNN) or their number. */
    public static String statusName(Library library, int status) {
        return switch (library) {
            case CUDART -> CUDART.getOrDefault(status, "cudaError " + status);
            case CUBLAS -> CUBLAS.getOrDefault(status, "cublasStatus " + status);
            case NVRTC -> NVRTC.getOrDefault(status, "nvrtcResult " + status);
            case CUDNN -> {
                String exact = CUDNN.get(status);
                if (exact != null) {
                    yield exact;
                }
                String category = CUDNN_CATEGORIES.get(status / 1000 * 1000);
                yield category == null ? "cudnnStatus " + status
                        : status % 1000 == 0 ? category : category + " (specific error " + status % 1000 + ")";
            }
        };
    }
}
