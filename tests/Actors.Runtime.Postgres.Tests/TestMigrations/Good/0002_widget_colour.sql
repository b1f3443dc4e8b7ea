-- A later version that depends on the first: it only works when applied in order.
ALTER TABLE actors_test_widgets ADD COLUMN colour text NOT NULL DEFAULT 'blue';
DO $$
BEGIN
    UPDATE actors_test_widgets SET colour = 'red; not a statement separator' WHERE id = 1;
END
$$;
