-- Workers look for work by lane (a set of kinds), ordered by when it is due. With only
-- `jobs_due (state, run_at)`, a lane with nothing to do walked every due job of the other lanes
-- (a WhatsApp backlog of thousands of messages) on each wake-up. Pending jobs by kind, then due
-- time: each lane's claim and next-due look-up is an index seek, however long the backlog.
-- Partial: done and dead jobs, the table's bulk, are not in it.
CREATE INDEX jobs_pending_kind ON jobs (kind, run_at, id) WHERE state = 'pending';
-- The jobs under a lease (running, or held by a process that died): few at any time.
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE locked_until IS NOT NULL;
