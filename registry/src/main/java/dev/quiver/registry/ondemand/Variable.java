package dev.quiver.registry.ondemand;

import dev.quiver.registry.model.ValueType;

/**
 * A name an on-demand view's expressions may read: a request field ({@code amount}) or a feature of
 * one of its inputs ({@code card_spend.amount_sum_7d}).
 *
 * @param view the input view, or null for a request field
 * @param feature the input's feature, or the request field's name
 */
public record Variable(String name, ValueType type, String view, String feature) {

  static Variable requestField(String name, ValueType type) {
    return new Variable(name, type, null, name);
  }

  static Variable inputFeature(String view, String feature, ValueType type) {
    return new Variable(view + "." + feature, type, view, feature);
  }

  public boolean isRequestField() {
    return view == null;
  }
}
