"""What every feature's rules share: GOV.UK formatting and the outbox queue."""
