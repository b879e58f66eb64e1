CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint NOT NULL, note text, amount numeric(10,2), updated_at timestamp NOT NULL);
INSERT INTO sales.orders VALUES
  (1, 'first', 10.00, '2026-01-15 08:00:00'),
  (2, 'it''s quoted', 20.50, '2026-01-15 08:30:00'),
  (3, NULL, 3.00, '2026-01-15 09:00:00'),
  (4, 'inside the lag', 1.00, '2026-01-15 09:00:30');
