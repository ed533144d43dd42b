"""The project's Confluent-compatible Schema Registry (AVRO) and its shared schema rules."""
