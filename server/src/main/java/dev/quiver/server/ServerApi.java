package dev.quiver.server;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;

/** What the generated OpenAPI document says about the server as a whole. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Quiver feature server",
            version = "0.1",
            description =
                "Online features, pushes (to the online store, to the folder of the view's"
                    + " Parquet source, or both: /push's \"to\" is online, online_and_offline or"
                    + " offline) and materialization, compatible with Feast's feature server; the"
                    + " registry, read-only; health and metrics."))
final class ServerApi {
  private ServerApi() {}
}
