package io.panrec.backend;

import java.util.List;

/**
 * Whether a backend can run here, and if not, why: each reason names what is missing and how to fix it.
 * A value, never an exception, so that listing backends never crashes.
 */
public record Availability(boolean available, List<String> reasons) {

    public Availability {
        reasons = List.copyOf(reasons);
    }

    public static Availability yes() {
        return new Availability(true, List.of());
    }

    public static Availability no(String... reasons) {
        return new Availability(false, List.of(reasons));
    }

    public static Availability no(List<String> reasons) {
        return new Availability(false, reasons);
    }

    @Override
    public String toString() {
        return available ? "available" : "unavailable: " + String.join("; ", reasons);
    }
}
