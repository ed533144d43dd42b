"""The small runtime every service shares: settings, logging, serde, Kafka clients, handler wiring,
the unit of work (state + inbox + outbox in one transaction) and the dead letter queue."""
