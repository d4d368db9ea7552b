"""Pure rules of returns: policy, requests, the state machine, parcel facts."""
