CREATE TABLE actors_test_widgets (id int PRIMARY KEY, label text NOT NULL);
INSERT INTO actors_test_widgets VALUES (1, 'first');
