-- Run once by the postgres image on an empty data directory: the Rasa tracker store's
-- database, next to the account database (POSTGRES_DB).
CREATE DATABASE careline_tracker;
