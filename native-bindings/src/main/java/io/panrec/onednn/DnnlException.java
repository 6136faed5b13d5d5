package io.panrec.onednn;

import static io.panrec.onednn.raw.dnnl_h.*;

/** A oneDNN call that returned a status other than success: names the function and the status. */
public final class DnnlException extends RuntimeException {
    private final String function;
    private final int status;

    public DnnlException(String function, int status, String detail) {
        super(function + " failed: " + statusName(status) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.function = function;
        this.status = status;
    }

    public String function() {
        return function;
    }

    public int status() {
        return status;
    }

    /** The dnnl_status_t name of a status code. */
    public static String statusName(int status) {
        return switch (status) {
            case dnnl_success -> "dnnl_success";
            case dnnl_out_of_memory -> "dnnl_out_of_memory";
            case dnnl_invalid_arguments -> "dnnl_invalid_arguments";
            case dnnl_unimplemented -> "dnnl_unimplemented";
            case dnnl_last_impl_reached -> "dnnl_last_impl_reached";
            case dnnl_runtime_error -> "dnnl_runtime_error";
            case dnnl_not_required -> "dnnl_not_required";
            default -> "status " + status;
        };
    }

    /** Every status goes through here. */
    public static void check(int status, String function) {
        if (status != dnnl_success) {
            throw new DnnlException(function, status, null);
        }
    }

    public static void check(int status, String function, String detail) {
        if (status != dnnl_success) {
            throw new DnnlException(function, status, detail);
        }
    }
}
