DROP TABLE kiosk_chain;
DROP TABLE kiosks;
