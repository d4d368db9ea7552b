-- Issue 22: an order's row is rewritten at each change of its status (the projector), and a
-- row is ~1.6 kB (the snapshot): with 10% of a page free (fillfactor 90) a new version rarely
-- fits beside the old one, so ~40% of those updates were not HOT and wrote a new entry in each
-- of the table's indexes (and left the old row for vacuum). With half of each new page free,
-- every status update measured (50,000 events, 13,600 updates) is HOT, and the heap is no
-- larger (pruning reuses the space). Pages written from now on; existing ones keep theirs
-- until rewritten (VACUUM FULL, pg_repack).
ALTER TABLE orders SET (fillfactor = 50);
