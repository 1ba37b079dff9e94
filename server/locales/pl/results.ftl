# Strona wyników. Zmienne są w { $braces }.
rs-title = Wyniki
rs-summary = Opublikowano { $date }. Policzono głosy: { $counted }.
rs-check = Głosowałeś? Sprawdź, czy Twój głos został policzony, używając kodu z potwierdzenia.
rs-check-link = Sprawdź swój głos
rs-budget-line = Budżet { $budget }: sfinansowano { $funded }, zostało { $left }.
rs-chart-title = Głosy na każdy projekt w { $area }. Projekty sfinansowane mają pełne słupki.
rs-table-caption = Głosy na każdy projekt w { $area }
rs-project = Projekt
rs-votes = Głosy
rs-votes-n = { $n ->
    [one] 1 głos
    [few] { $n } głosy
   *[other] { $n } głosów
    }
rs-cost = Koszt
rs-funded-column = Sfinansowany
rs-funded = Sfinansowany
rs-not-funded = Niesfinansowany
rs-turnout = Kto głosował
rs-small-numbers = Aby chronić prywatność, nie pokazujemy liczb mniejszych niż { $n }.
rs-fewer-than = mniej niż { $n }
rs-by-area = Głosy według okolicy
rs-area = Okolica
rs-by-channel = Głosy według sposobu głosowania
rs-channel = Sposób
rs-online = Przez internet
rs-paper = Na papierze
rs-kiosk = W punkcie do głosowania: { $place }
rs-by-day = Głosy według dnia
rs-day = Dzień
rs-ballots = Głosy
rs-reach = Docieramy do wszystkich
rs-reach-body = Na nieobowiązkowe pytania po głosowaniu odpowiedziało osób: { $n }. Porównujemy, kto wziął udział, z mieszkańcami okolicy, aby wiedzieć, do kogo dotrzeć następnym razem.
rs-answer = Odpowiedź
rs-people = Osoby
rs-share = Udział
rs-baseline = Mieszkańcy okolicy
rs-open-data = Otwarte dane
rs-open-data-body = Każdy może sprawdzić liczenie. Pobierz wyniki i policzone głosy (bez nazwisk, godzin i miejsc) w formacie Pabulib używanym w budżetach obywatelskich.
rs-json = Wyniki (JSON)
rs-csv = Wyniki (CSV, do arkuszy kalkulacyjnych)
rs-pabulib = Policzone głosy w { $area } (plik Pabulib)
rs-digest = Skrót policzonych głosów (SHA-256 plików Pabulib w kolejności kluczy okolic):
rs-recount = Aby policzyć ponownie, pobierz pliki i uruchom te polecenia albo otwórz pliki w dowolnym narzędziu Pabulib:
rs-poster = Plakat
rs-poster-body = Wydrukuj wyniki na tablice ogłoszeń i do miejsc, w których były punkty do głosowania (po angielsku).
rs-poster-a4 = Plakat na papier A4 (PDF)
rs-poster-a3 = Plakat na papier A3 (PDF)
rs-back = Wróć do głosowania
rs-see-results = Zobacz pełne wyniki
rs-funded-list = Sfinansowane w { $area }: { $projects }.
rs-assisted = Osoby, które głosowały z pomocą w punkcie do głosowania: { $n }.
