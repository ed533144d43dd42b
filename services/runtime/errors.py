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


class UnknownOrderError(TransientError):
    """An event for an order this service has not seen yet.  One order's events travel on
    different topics, so one may overtake its OrderCreated: it is retried, and if the order never
    appears it is dead-lettered as `retries_exhausted:unknown_order`."""

    error_class = "unknown_order"


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
    """A handler's domain refused the event for good, e.g. a refund with no charge to refund."""

    error_class = "business_rule"


class OrderNeverPlacedError(BusinessRuleError):
    """The order service's refusal of an event for an order it never placed: it writes the order
    row in the transaction that queues OrderCreated, so no later event can precede the row."""

    error_class = "order_never_placed"


class SubjectNotRegisteredError(RuntimeError):
    """Start-up failure: a producer's subject (or its schema version) is not in the registry."""
