"""The stall / late monitor and the learned transit times (runs in the projector process)."""
