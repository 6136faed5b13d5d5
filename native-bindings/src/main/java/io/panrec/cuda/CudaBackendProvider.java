package io.panrec.cuda;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;

/**
 * Provides the {@code cuda} backend, rank 300: above oneDNN, so that on a machine with an NVIDIA GPU, the CUDA
 * libraries and a driver it is the default (host tensors still run on the CPU backends through it; see
 * {@link CudaBackend}). {@code -Dpanrec.backend=onednn} keeps everything on the CPU. Without a GPU, driver or
 * library it is unavailable with the reasons, and nothing fails. Cheap to construct: the libraries are only
 * looked for when {@link #availability()} is asked.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 300;
    }

    @Override
    public String description() {
        String on = CudaLibraries.availability().available() ? CudaLibraries.info().describe() : "an NVIDIA GPU (none usable here)";
        return "CUDA through FFM on " + on + ": cuBLAS matmul, cuDNN convolution, pooling, softmax and activations, "
                + "NVRTC-compiled element-wise, reduction, gather/scatter and layer-norm kernels; host tensors run on the CPU backend";
    }

    @Override
    public Availability availability() {
        try {
            return CudaLibraries.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("checking for CUDA failed: " + e);
        }
    }

    @Override
    public Backend create() {
        return CudaBackend.create(Integer.getInteger(CudaLibraries.DEVICE_PROPERTY, 0));
    }
}
