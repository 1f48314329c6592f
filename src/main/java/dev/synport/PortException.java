package dev.synport;

/**
 * An expected failure: something the user can act on. The message is one line that says
 * what is wrong and, where possible, what to do. The command line maps the reason to an
 * exit code; the engine never exits by itself.
 */
public final class PortException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final FailureReason reason;

    public PortException(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PortException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
