package dev.quiver.registry.load;

import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** Writes canonical definitions back as YAML, in the shape definition files use. */
public final class DefinitionYaml {

  private static final DumpSettings SETTINGS =
      DumpSettings.builder()
          .setDefaultFlowStyle(FlowStyle.BLOCK)
          .setIndent(2)
          .setIndicatorIndent(2)
          .setIndentWithIndicator(true)
          .setWidth(100)
          .build();

  private DefinitionYaml() {}

  public static String write(Map<String, Object> canonical) {
    return new Dump(SETTINGS).dumpToString(canonical);
  }
}
