"""One module per external source (carrier or aggregator API) implementing `domain.sources.Source`."""
