"""One module per external source (carrier or aggregator API) implementing the Source port."""
