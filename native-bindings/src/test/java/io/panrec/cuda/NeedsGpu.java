package io.panrec.cuda;

import io.panrec.backend.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Disables a GPU test class, before anything of it runs, where CUDA is unavailable, giving the reasons (no
 * library, no driver, no device) as the skip message, so that reports show why nothing ran.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NeedsGpu.Condition.class)
@interface NeedsGpu {

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Availability a = CudaLibraries.availability();
            if (a.available()) {
                return ConditionEvaluationResult.enabled("CUDA is available: " + CudaLibraries.info().describe());
            }
            String reason = "skipped, no usable GPU here: " + String.join("; ", a.reasons());
            // surefire keeps a disabled class's reason in its XML report only: say it on the console too, once per class
            if (context.getTestMethod().isEmpty()) {
                System.err.println(context.getDisplayName() + " " + reason);
            }
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
