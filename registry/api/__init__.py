"""REST routers, one module per Confluent resource."""
