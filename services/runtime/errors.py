"""What can go wrong with a message, sorted by what the consumer must do about it.

Transient errors are retried in place with backoff; permanent errors send the message to the dead
letter queue at once.  `error_class` is the stable name written to the DLQ headers.
"""

from __future__ import annotations


class ProcessingError(Exception):
    error_class = "processing_error"
    transient = False


class TransientError(ProcessingError):
    """The world may heal: a registry, broker or database that did not answer."""

    error_class = "transient"
    transient = True


class UnknownAggregateError(TransientError):
    """An event about something this service has not seen created yet.  Events of one aggregate
    may travel on different topics, so one can overtake the event that creates it: it is retried,
    then dead-lettered as `retries_exhausted:<error_class>` if that event never comes.  Services
    subclass it with the name of their aggregate as `error_class`."""

    error_class = "unknown_aggregate"


class PermanentError(ProcessingError):
    """Retrying cannot help: the message itself is bad, or a business rule refuses it."""

    error_class = "permanent"


class NotFramedError(PermanentError):
    error_class = "not_confluent_framed"


class UnknownSchemaError(PermanentError):
    error_class = "unknown_schema_id"


class UndecodableError(PermanentError):
    error_class = "undecodable_avro"


class ValidationFailedError(PermanentError):
    error_class = "validation_failed"


class BusinessRuleError(PermanentError):
    """A handler's domain refused the event for good: retrying cannot change a rule's no."""

    error_class = "business_rule"


class SubjectNotRegisteredError(RuntimeError):
    """Start-up failure: a producer's subject (or its schema version) is not in the registry."""
