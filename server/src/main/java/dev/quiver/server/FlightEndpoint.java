package dev.quiver.server;

import dev.quiver.offline.ArrowAccess;
import io.micronaut.context.annotation.Context;
import io.micronaut.http.server.HttpServerConfiguration;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow Flight endpoint of {@code quiver serve} ({@code quiver.server.flight-port}, 6567 by
 * default, on the HTTP server's host): training sets for remote clients, streamed as Arrow record
 * batches. It runs beside Micronaut's HTTP server in the same process (gRPC's Netty and Micronaut's
 * share Netty 4.2).
 */
@Context
public final class FlightEndpoint implements AutoCloseable {

  private final BufferAllocator allocator = new RootAllocator();
  private final FlightServer server;

  FlightEndpoint(FeatureService features, ServerSettings settings, HttpServerConfiguration http) {
    ArrowAccess.require("serve training sets over Arrow Flight");
    BearerTokens tokens = new BearerTokens(settings);
    try {
      FlightServer.Builder builder =
          FlightServer.builder(
              allocator,
              Location.forGrpcInsecure(
                  http.getHost().orElse(QuiverServer.DEFAULT_HOST), settings.flightPort()),
              new TrainingSetProducer(features, settings, allocator));
      if (!tokens.readsOpen()) {
        // Training sets are reads: the read token (or the write token) when one is set.
        builder.headerAuthenticator(
            headers -> {
              if (!tokens.allowsRead(headers.get("authorization"))) {
                throw CallStatus.UNAUTHENTICATED
                    .withDescription(
                        "This server needs its token: send 'authorization: Bearer <token>'")
                    .toRuntimeException();
              }
              return () -> "token";
            });
      }
      this.server = builder.build().start();
    } catch (IOException e) {
      allocator.close();
      throw new dev.quiver.QuiverException(
          "Cannot serve Arrow Flight on port "
              + settings.flightPort()
              + ": "
              + e.getMessage()
              + " (another server there? pick one with --flight-port)",
          e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  @PreDestroy
  public void close() {
    // Calls in flight finish first: close waits for them.
    server.shutdown();
    try {
      server.awaitTermination(30, TimeUnit.SECONDS);
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allocator.close();
  }
}
