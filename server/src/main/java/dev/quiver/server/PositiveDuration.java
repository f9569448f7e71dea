package dev.quiver.server;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import io.micronaut.validation.validator.constraints.ConstraintValidatorContext;
import jakarta.inject.Singleton;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Duration;

/**
 * A {@link Duration} setting longer than zero (bean validation's {@code @Positive} takes numbers
 * only). Null is left to {@code @NotNull}.
 */
@Documented
@Retention(RUNTIME)
@Target({FIELD, METHOD, PARAMETER, RECORD_COMPONENT})
@Constraint(validatedBy = {})
public @interface PositiveDuration {

  /** The message of a violation. */
  String message() default
      "must be a positive duration such as 500ms, 2s or 1m, got {validatedValue}";

  /** Validation groups. */
  Class<?>[] groups() default {};

  /** Payloads. */
  Class<? extends Payload>[] payload() default {};

  /** Checks {@link PositiveDuration}. */
  @Singleton
  final class Validator implements ConstraintValidator<PositiveDuration, Duration> {
    @Override
    public boolean isValid(
        Duration value,
        AnnotationValue<PositiveDuration> annotation,
        ConstraintValidatorContext context) {
      return value == null || (!value.isNegative() && !value.isZero());
    }
  }
}
