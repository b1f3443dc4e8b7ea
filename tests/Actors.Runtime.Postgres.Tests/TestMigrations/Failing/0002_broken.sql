CREATE TABLE actors_test_half_done (id int PRIMARY KEY);
SELECT no_such_function_here();
