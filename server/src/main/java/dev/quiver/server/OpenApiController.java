package dev.quiver.server;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.yml}: the OpenAPI document that micronaut-openapi generates from the
 * controllers when the server is compiled.
 */
@Controller
@Hidden
public class OpenApiController {

  private static final String DOCUMENT = "META-INF/swagger/quiver-feature-server-0.1.yml";

  @Get(uri = "/openapi.yml", produces = "application/yaml")
  public HttpResponse<String> openApi() {
    try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(DOCUMENT + " is missing: the build generates it");
      }
      return HttpResponse.ok(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
