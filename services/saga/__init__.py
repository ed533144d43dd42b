"""What the services of the order saga share about the order every event is keyed on: the error
for an event that overtook its order's OrderCreated, and the table of orders seen placed.

Not the runtime (it knows no domain) and not a service (services never import one another)."""
