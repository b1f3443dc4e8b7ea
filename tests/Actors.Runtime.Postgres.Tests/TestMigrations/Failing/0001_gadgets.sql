CREATE TABLE actors_test_gadgets (id int PRIMARY KEY);
