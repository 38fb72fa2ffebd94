package io.warren.server.management;

import org.apache.pekko.http.javadsl.model.StatusCode;

/** A request the API refuses, with RabbitMQ's error word ("bad_request", "not_found", ...) and a reason. */
final class ApiRequestException extends RuntimeException {
    final StatusCode status;
    final String error;

    ApiRequestException(StatusCode status, String error, String reason) {
        super(reason);
        this.status = status;
        this.error = error;
    }

    static ApiRequestException badRequest(String reason) {
        return new ApiRequestException(org.apache.pekko.http.javadsl.model.StatusCodes.BAD_REQUEST, "bad_request", reason);
    }

    static ApiRequestException notFound() {
        return new ApiRequestException(org.apache.pekko.http.javadsl.model.StatusCodes.NOT_FOUND, "Object Not Found", "Not Found");
    }
}
