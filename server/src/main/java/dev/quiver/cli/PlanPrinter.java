package dev.quiver.cli;

import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.diff.ChangeType;
import dev.quiver.registry.diff.ObjectChange;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints a plan as a table of the objects it creates, updates and deletes. */
final class PlanPrinter {

  private PlanPrinter() {}

  static void print(RegistryPlan plan, String registry, PrintWriter out, boolean colour) {
    print(plan, registry, "the repo", out, colour);
  }

  /**
   * Prints the plan of changing the registry into {@code desired}, which names what the plan's
   * definitions come from ("the repo", "version 3").
   */
  static void print(
      RegistryPlan plan, String registry, String desired, PrintWriter out, boolean colour) {
    out.println("Plan against the " + registry + " at version " + plan.base().version() + ":");
    if (!plan.hasChanges()) {
      out.println("No changes: the registry matches " + desired + ".");
      return;
    }
    out.println();
    TextTable table = new TextTable("ACTION", "KIND", "NAME", "CHANGES");
    for (ObjectChange change : plan.pending()) {
      List<String> details = change.details().isEmpty() ? List.of("") : change.details();
      for (int i = 0; i < details.size(); i++) {
        List<TextTable.Cell> row = new ArrayList<>();
        boolean first = i == 0;
        row.add(new TextTable.Cell(first ? change.type().label() : "", colourOf(change.type())));
        row.add(
            new TextTable.Cell(first ? change.kind().displayName() : "", TextTable.Colour.NONE));
        row.add(new TextTable.Cell(first ? change.name() : "", TextTable.Colour.NONE));
        row.add(new TextTable.Cell(details.get(i), TextTable.Colour.NONE));
        table.add(row);
      }
    }
    table.print(out, colour);
    out.println();
    out.println(
        plan.count(ChangeType.CREATE)
            + " to create, "
            + plan.count(ChangeType.UPDATE)
            + " to update, "
            + plan.count(ChangeType.DELETE)
            + " to delete, "
            + plan.count(ChangeType.UNCHANGED)
            + " unchanged.");
    if (!plan.retiledViews().isEmpty()) {
      out.println(
          "The online tiles of "
              + String.join(", ", plan.retiledViews())
              + " will be deleted (their aggregations, hop, entities or events change): materialize"
              + " again after applying.");
    }
  }

  private static TextTable.Colour colourOf(ChangeType type) {
    return switch (type) {
      case CREATE -> TextTable.Colour.GREEN;
      case UPDATE -> TextTable.Colour.YELLOW;
      case DELETE -> TextTable.Colour.RED;
      case UNCHANGED -> TextTable.Colour.NONE;
    };
  }
}
