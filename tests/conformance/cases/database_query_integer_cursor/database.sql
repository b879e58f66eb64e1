CREATE TABLE events (event_id integer NOT NULL, kind varchar(10) NOT NULL, at timestamp NOT NULL, weight double precision);
INSERT INTO events VALUES
  (1, 'open', '2024-07-01 12:00:00', 1.5),
  (2, 'close', '2024-12-01 12:00:00', NULL),
  (3, 'open', '2024-07-02 00:30:00', 0.1);
