package org.sesemi.platform.api;

/**
 * Error texts. Those OpenWhisk defines are reproduced verbatim, because clients and tools match on them.
 */
final class Messages {
    private Messages() {}

    static final String NOT_FOUND = "The requested resource does not exist.";
    static final String NOT_AUTHORIZED = "The supplied authentication is not authorized to access this resource.";
    static final String AUTH_REQUIRED = "The resource requires authentication, which was not supplied with the request";
    static final String AUTH_INVALID = "The supplied authentication is invalid.";
    static final String ALREADY_EXISTS = "resource already exists";
    static final String CONCURRENT_MODIFICATION = "Concurrent modification to resource detected.";
    static final String RESERVED_PARAMETERS = "Request defines parameters that are not allowed (e.g., reserved properties).";
    static final String TIMEOUT_RANGE = "Timeout must be number of milliseconds up to 60000.";
    static final String DOCS_WITH_COUNT = "The parameter 'docs' is not permitted with 'count'.";
    static final String ILLEGAL_NAME = "The name of the entity contains illegal characters.";
    static final String INTERNAL = "Internal server error.";
    static final String VALID_RUNTIMES = "blackbox";

    static String malformed(String detail) {
        return "The request content was malformed:\n" + detail;
    }

    static String tooLarge(String field, long size, long allowed) {
        return field + " larger than allowed: " + size + " > " + allowed + " bytes.";
    }

    static String tooManyRequests(long count, long allowed) {
        return "Too many requests in the last minute (count: " + count + ", allowed: " + allowed + ").";
    }

    static String tooManyConcurrent(long count, long allowed) {
        return "Too many concurrent requests in flight (count: " + count + ", allowed: " + allowed + ").";
    }

    static String unsupportedRuntime(String kind) {
        return "The specified runtime '" + kind + "' is not supported by this platform. Valid values are: " + VALID_RUNTIMES;
    }

    static String activationIdLength(int length) {
        return "Activation id length is " + length + " but must be 32.";
    }

    static String limitOutOfRange(String collection, long value, int max) {
        return "The value '" + value + "' is not in the range of 0 to " + max + " for " + collection + ".";
    }

    static String skipNegative(String collection, long value) {
        return "The value '" + value + "' is not greater than or equal to 0 for " + collection + ".";
    }

    static String queryMalformed(String name, String value, String expected) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return "The query parameter '" + name + "' was malformed:\n'" + shown + "' is not a valid " + expected + " value";
    }
}
