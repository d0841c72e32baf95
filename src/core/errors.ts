// errors.ts — the error classes of jaxts (JAX's jax.errors plus ValueError-style misuse errors).
const ERRORS_PAGE = "See the jaxts README, section 'Errors', for more on this error.";

/** Misuse that Python would report as ValueError. A RangeError-compatible Error named ValueError. */
export class ValueError extends Error {
  override name = "ValueError";
}

/** Python's NotImplementedError: a feature that jaxts does not support (yet). */
export class NotImplementedError extends Error {
  override name = "NotImplementedError";
}

/** An abstract tracer was used where a concrete value is required. */
export class ConcretizationTypeError extends TypeError {
  override name = "ConcretizationTypeError";
  constructor(tracerDesc: string, context = "") {
    super(
      `Abstract tracer value encountered where concrete value is expected: ${tracerDesc}\n` +
        (context ? context + "\n" : "") +
        ERRORS_PAGE,
    );
  }
}

/** Truthiness / boolean conversion of an abstract tracer (`if (x > 0)` under jit or vmap). */
export class TracerBoolConversionError extends ConcretizationTypeError {
  override name = "TracerBoolConversionError";
  constructor(tracerDesc: string, context = "") {
    super(tracerDesc, `Attempted boolean conversion of ${tracerDesc}.${context ? "\n" + context : ""}`);
  }
}

/** Integer conversion (`__index__`) of an abstract tracer: used as a length, index or shape. */
export class TracerIntegerConversionError extends TypeError {
  override name = "TracerIntegerConversionError";
  constructor(tracerDesc: string, context = "") {
    super(`The __index__() method was called on ${tracerDesc}\n${context ? context + "\n" : ""}${ERRORS_PAGE}`);
  }
}

/** Converting a tracer to host data (dataSync, tolist, typed arrays). */
export class TracerArrayConversionError extends TypeError {
  override name = "TracerArrayConversionError";
  constructor(tracerDesc: string, context = "") {
    super(
      `The numpy.ndarray conversion method __array__() was called on ${tracerDesc}\n` +
        (context ? context + "\n" : "") +
        ERRORS_PAGE,
    );
  }
}

/** Boolean-mask indexing with a mask whose values are not known (under jit). */
export class NonConcreteBooleanIndexError extends RangeError {
  override name = "NonConcreteBooleanIndexError";
  constructor(tracerDesc: string) {
    super(`Array boolean indices must be concrete; got ${tracerDesc}\n${ERRORS_PAGE}`);
  }
}

/** A tracer escaped the transformation that created it and was used later. */
export class UnexpectedTracerError extends TypeError {
  override name = "UnexpectedTracerError";
  constructor(typeDesc: string, detail = "") {
    super(
      `Encountered an unexpected tracer. A function transformed by jaxts had a side effect, allowing for a ` +
        `reference to an intermediate value with type ${typeDesc} to escape the scope of the transformation.` +
        (detail ? "\n" + detail : "") +
        `\n${ERRORS_PAGE}`,
    );
  }
}

/** A collective or axisIndex named an axis that no enclosing vmap/pmap binds. */
export class UnboundAxisNameError extends Error {
  override name = "NameError";
  constructor(axisName: string) {
    super(`unbound axis name: ${axisName}. Collectives need an enclosing vmap or pmap with axisName "${axisName}".`);
  }
}
