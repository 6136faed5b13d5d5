/**
 * Optimizers over lists of parameter tensors: {@link io.panrec.optim.SGD}, {@link io.panrec.optim.Adam},
 * {@link io.panrec.optim.AdamW} and {@link io.panrec.optim.Adagrad}, each updating only the touched rows
 * of row-sparse embedding gradients; {@link io.panrec.optim.GradClip} for clipping by global norm;
 * {@link io.panrec.optim.LrSchedule}s applied by a {@link io.panrec.optim.Scheduler}.
 *
 * <pre>{@code
 * Optimizer opt = new AdamW(model.parameters(), 1e-3);
 * for (Batch b : batches) {
 *     try (Scope step = Scope.open("step")) {
 *         opt.zeroGrad();
 *         Tensor loss = model.loss(b);
 *         loss.backward();
 *         GradClip.clipByGlobalNorm(opt.params(), 5.0);
 *         opt.step();            // before the step scope closes: sparse gradients live in it
 *     }
 * }
 * }</pre>
 */
package io.panrec.optim;
