"""Pure modules every app may use: money, pricing, keyset pages, errors, actors, the fixed
status lists and the credentials cipher. Nothing here imports another Kantoor app."""
