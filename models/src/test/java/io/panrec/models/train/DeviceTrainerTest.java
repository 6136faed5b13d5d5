package io.panrec.models.train;

import io.panrec.backend.Backends;
import io.panrec.io.SafeTensors;
import io.panrec.models.data.Interactions;
import io.panrec.models.general.ToyData;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.nn.Module;
import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;
import io.panrec.testing.EmulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer on a model moved to a device ({@code Module.to}): each batch goes to the model's device, the
 * loss comes back as one number, and NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017) trains to
 * the same losses and weights as on the host. The device is core's {@link EmulatedDevice} (host memory flagged
 * as a GPU's, reference kernels); native-bindings' {@code CudaOpsTrainingIT} does the same on a real GPU.
 * Plain SGD: the host's row-sparse embedding updates then equal the device's dense ones exactly.
 */
class DeviceTrainerTest {
    static final Interactions DATA = ToyData.generate(30, 40, 10, 5);
    static final Device DEV = EmulatedDevice.DEVICE;

    @TempDir
    Path tmp;

    private static Recommender neumf() {
        ModelProvider p = ModelRegistry.discover().get("NeuMF");
        Settings s = p.defaultSettings().with("embeddingSize", 8).with("layers", java.util.List.of(16, 8, 4))
                .with("batchSize", 64).with("epochs", 2).with("optimizer", "sgd").with("learningRate", 0.05);
        return p.create(s, DATA.schema());
    }

    @Test
    void neumfTrainsOnTheDeviceToTheHostLosses() throws Exception {
        EmulatedDevice emu = EmulatedDevice.install();
        Recommender host = neumf();
        Recommender dev = neumf();
        ((Module) dev).to(DEV);
        assertEquals(DEV, Trainer.device(dev));
        TrainingResult rh;
        TrainingResult rd;
        long kernels = emu.kernelCalls();
        try (var ref = Backends.use("reference")) {
            rh = Trainer.builder(host, DATA).output(null).maxStepsPerEpoch(5).build().fit();
            rd = Trainer.builder(dev, DATA).output(null).maxStepsPerEpoch(5).build().fit();
        }
        assertTrue(emu.kernelCalls() > kernels, "nothing ran on the device");
        assertEquals(rh.epochs(), rd.epochs());
        for (int e = 0; e < rh.epochs(); e++) {
            assertEquals(rh.history().get(e).loss(), rd.history().get(e).loss(), 1e-5, "epoch " + (e + 1) + " loss");
        }
        // a model on a device saves as it is (safetensors copies each tensor to the host), with the host's weights
        Path file = tmp.resolve("w.safetensors");
        SafeTensors.write(file, dev.stateDict());
        Map<String, Tensor> saved = SafeTensors.readCopy(file, io.panrec.tensor.Scope.global()).tensors();
        for (var e : host.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), saved.get(e.getKey()).toFloatArray(), 1e-5f, e.getKey());
        }
        // evaluating on the device is refused up front, saying how to do it on the host
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> Trainer.builder(dev, DATA)
                .output(null).validation(new Validation(m -> {
                    throw new AssertionError("never evaluated");
                }, "HR@5", true, 0, 0)).build().fit());
        assertTrue(u.getMessage().contains("Trainer.moveTo(model, Device.CPU)"), u.getMessage());
        ((Module) dev).to(Device.CPU);
        assertEquals(Device.CPU, Trainer.device(dev));
    }

    @Test
    void checkpointsOfADeviceRunAreWrittenAndResumeOnTheDevice() {
        EmulatedDevice.install();
        Recommender straight = neumf();
        ((Module) straight).to(DEV);
        TrainingResult full = Trainer.builder(straight, DATA).output(null).maxStepsPerEpoch(3).build().fit();

        Settings one = straight.settings().with("epochs", 1);
        Recommender oneEpoch = ModelRegistry.discover().get("NeuMF").create(one, DATA.schema());
        ((Module) oneEpoch).to(DEV);
        Trainer.builder(oneEpoch, DATA).output(null).maxStepsPerEpoch(3).checkpoints(tmp.resolve("ck")).build().fit();
        assertTrue(java.nio.file.Files.exists(tmp.resolve("ck").resolve(Checkpoints.LATEST)));

        Recommender resumed = neumf();
        ((Module) resumed).to(DEV);
        TrainingResult r = Trainer.builder(resumed, DATA).output(null).maxStepsPerEpoch(3).checkpoints(tmp.resolve("ck"))
                .resume(true).build().fit();
        assertEquals(1, r.resumedFrom());
        assertEquals(DEV, Trainer.device(resumed), "resuming loads the checkpoint into the device parameters");
        assertEquals(full.last().loss(), r.last().loss(), 1e-5, "a resumed device run continues where it stopped");
    }
}
