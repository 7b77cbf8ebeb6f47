"""Civil registration and the population register."""
