# Teksty stron głosowania przez internet. Zmienne są w { $braces }.
vp-step = Krok { $step } z 3
vp-details-title = Twoje dane
vp-details-intro-self = Potrzebujemy Twojego kodu pocztowego, aby ustalić Twój obszar, oraz imienia i nazwiska i daty urodzenia, aby każda osoba głosowała tylko raz.
vp-details-intro-code = Wpisz kod do głosowania z karty do głosowania i swój kod pocztowy.
vp-privacy = Nie przechowujemy Twojego imienia i nazwiska ani daty urodzenia. Używamy ich tylko do utworzenia kodu, który nie pozwala nikomu głosować dwa razy; z tego kodu nie da się odtworzyć Twoich danych.
vp-postcode = Kod pocztowy
vp-postcode-hint = Kod pocztowy Twojego domu, na przykład DN15 6AB.
vp-age-legend = Twój wiek
vp-age = Mam co najmniej { $age } { $age ->
        [one] rok
        [few] lata
       *[other] lat
    }
vp-name = Imię i nazwisko
vp-dob = Data urodzenia
vp-dob-hint = Na przykład 27 3 1980
vp-day = Dzień
vp-month = Miesiąc
vp-year = Rok
vp-code = Kod do głosowania
vp-code-hint = Znajduje się na Twojej karcie do głosowania, na przykład 7KQ2-9XHD-M3TA-4PZ8.
vp-continue = Dalej
vp-choose-title = Wybierz projekty
vp-area-budget = Twój obszar to { $area }. Ma do wydania { $budget }.
vp-how-approval = Wybierz projekty, które chcesz poprzeć.
vp-how-approval-max = Wybierz najwyżej { $max } { $max ->
        [one] projekt
        [few] projekty
       *[other] projektów
    }.
vp-how-approval-budget = Łączny koszt wybranych projektów nie może przekroczyć { $budget }.
vp-how-cumulative = Rozdziel { $points } { $points ->
        [one] punkt
        [few] punkty
       *[other] punktów
    } między projekty, które chcesz poprzeć. Zostaw pole puste, jeśli nie chcesz dawać projektowi punktów.
vp-how-cumulative-cap = Jeden projekt może dostać najwyżej { $max } { $max ->
        [one] punkt
        [few] punkty
       *[other] punktów
    }.
vp-how-ranked = Ustaw najwyżej { $max } { $max ->
        [one] projekt
        [few] projekty
       *[other] projektów
    } w kolejności: 1 dla tego, którego chcesz najbardziej, potem 2 i tak dalej.
vp-projects-legend = Projekty w obszarze { $area }
vp-cost = Koszt: { $cost }
vp-points = Punkty
vp-rank = Twoja kolejność
vp-not-ranked = Nie wybrano
vp-check-title = Sprawdź swoje wybory
vp-your-details = Twoje dane
vp-your-choices = Twoje wybory
vp-area = Obszar
vp-yes = Tak
vp-project-column = Projekt
vp-cost-column = Koszt
vp-points-column = Punkty
vp-rank-column = Kolejność
vp-total-cost = Łączny koszt Twoich wyborów to { $total }. Budżet Twojego obszaru to { $budget }.
vp-total-points = Przyznane punkty: { $given } z { $points }.
vp-change-choices = Zmień swoje wybory
vp-change-details = Zmień swoje dane
vp-send-warning = Po wysłaniu głosu nie można go już zmienić.
vp-send = Wyślij mój głos
vp-receipt-title = Twój głos został wysłany
vp-receipt-code = Twój kod głosu
vp-receipt-keep = Zachowaj ten kod albo zrób zdjęcie kodu QR. Możesz nim sprawdzić, czy Twój głos został otrzymany i policzony. Kod nie pokazuje treści Twojego głosu.
vp-receipt-qr = Kod QR z linkiem do strony, na której możesz sprawdzić swój głos
vp-receipt-check = Sprawdź swój głos teraz
vp-back-to-round = Wróć do strony głosowania
vp-closed-title = Głosowanie nie jest otwarte
vp-closed-body = W tej chwili nie można głosować przez internet w tym głosowaniu.
vp-attended-title = Głosuj w punkcie do głosowania
vp-attended-body = W tym głosowaniu głosuje się osobiście w punkcie do głosowania, gdzie pracownik sprawdzi, czy możesz głosować.
vp-attended-link = Zobacz, gdzie i kiedy możesz zagłosować
vp-already-title = Twój głos został już oddany
vp-start-again = Zacznij od nowa
vp-csrf-title = Przepraszamy, nie mogliśmy przyjąć tego formularza
vp-csrf-body = Może się tak zdarzyć, jeśli przeglądarka blokuje pliki cookie lub strona była długo otwarta. Zacznij od nowa od pierwszego kroku.
vp-error-title = Wystąpił problem
vp-error-prefix = Błąd:
vp-err-invalid-postcode = Wpisz pełny kod pocztowy, na przykład DN15 6AB.
vp-err-postcode-not-in-round = Twój kod pocztowy nie należy do żadnego obszaru tego głosowania, więc nie możesz w nim głosować.
vp-err-age-not-confirmed = Potwierdź, że masz co najmniej { $n } { $n ->
        [one] rok
        [few] lata
       *[other] lat
    }, aby głosować.
vp-err-too-young = Aby głosować w tym głosowaniu, musisz mieć co najmniej { $n } { $n ->
        [one] rok
        [few] lata
       *[other] lat
    }.
vp-err-name-required = Wpisz swoje imię i nazwisko.
vp-err-invalid-date-of-birth = Wpisz prawdziwą datę urodzenia, na przykład 27 3 1980.
vp-err-code-required = Wpisz kod do głosowania z karty do głosowania.
vp-err-code-format = Kod do głosowania ma niewłaściwy format. Sprawdź go na karcie do głosowania.
vp-err-invalid-code = Ten kod do głosowania nie został wydany dla tego głosowania. Sprawdź go na karcie do głosowania.
vp-err-too-many-attempts = Z Twojego połączenia wpisano zbyt wiele błędnych kodów do głosowania. Odczekaj chwilę i spróbuj ponownie.
vp-err-unknown-project = Jeden z Twoich wyborów nie jest projektem w tym głosowaniu.
vp-err-project-not-in-area = Możesz wybierać tylko projekty ze swojego obszaru.
vp-err-duplicate-choice = Ten sam projekt został wybrany więcej niż raz.
vp-err-too-few-choices = Wybierz co najmniej { $n } { $n ->
        [one] projekt
        [few] projekty
       *[other] projektów
    }.
vp-err-too-many-choices = Wybierz nie więcej niż { $n } { $n ->
        [one] projekt
        [few] projekty
       *[other] projektów
    }.
vp-err-over-budget = Wybrane projekty kosztują więcej niż budżet Twojego obszaru. Usuń jeden lub więcej.
vp-err-invalid-points = Daj każdemu wybranemu projektowi co najmniej 1 punkt (liczbę całkowitą).
vp-err-too-many-points = Łącznie możesz przyznać { $n } { $n ->
        [one] punkt
        [few] punkty
       *[other] punktów
    }; przyznano więcej.
vp-err-points-over-cap = Jeden projekt może dostać najwyżej { $n } { $n ->
        [one] punkt
        [few] punkty
       *[other] punktów
    }.
vp-err-invalid-ranks = Ponumeruj swoje wybory 1, 2, 3 i tak dalej, bez przerw i bez powtarzania numerów.
vp-err-too-many-ranks = Ustaw w kolejności nie więcej niż { $n } { $n ->
        [one] projekt
        [few] projekty
       *[other] projektów
    }.
vp-err-language-not-offered = To głosowanie nie jest dostępne w podanym języku.
vp-err-already-voted = Twój głos w tym głosowaniu został już oddany. Każda osoba może głosować raz.
vp-err-round-not-open = Głosowanie nie jest w tej chwili otwarte.
vp-running-cost = Wybrano projekty za { $total } z { $budget }.
vp-running-over-budget = To więcej niż budżet Twojej okolicy: usuń jakiś projekt.
vp-running-over-points = To więcej punktów, niż masz: odejmij część.
vp-mon-title = Pomóż nam dotrzeć do wszystkich (nieobowiązkowe)
vp-mon-intro = Te pytania pokazują nam, czy biorą udział ludzie w każdym wieku i z różnych środowisk. Twoje odpowiedzi są przechowywane osobno od głosu i nie da się ich powiązać z nim ani z Tobą. Możesz pominąć każde pytanie.
vp-mon-send = Wyślij odpowiedzi
vp-mon-q-age_band = Twój wiek
vp-mon-q-sex = Twoja płeć
vp-mon-q-ethnic_group = Twoja grupa etniczna
vp-mon-q-disability = Czy uważasz, że masz niepełnosprawność?
vp-mon-q-influence = Czy zgadzasz się, że możesz wpływać na decyzje dotyczące Twojej okolicy?
vp-mon-a-under-16 = Poniżej 16 lat
vp-mon-a-16-24 = 16–24 lata
vp-mon-a-25-34 = 25–34 lata
vp-mon-a-35-44 = 35–44 lata
vp-mon-a-45-54 = 45–54 lata
vp-mon-a-55-64 = 55–64 lata
vp-mon-a-65-74 = 65–74 lata
vp-mon-a-75-plus = 75 lat lub więcej
vp-mon-a-prefer-not-to-say = Wolę nie odpowiadać
vp-mon-a-female = Kobieta
vp-mon-a-male = Mężczyzna
vp-mon-a-prefer-to-self-describe = Określam się inaczej
vp-mon-a-asian = Azjatycka lub brytyjsko-azjatycka
vp-mon-a-black = Czarnoskóra, brytyjska czarnoskóra, karaibska lub afrykańska
vp-mon-a-mixed = Mieszana lub wiele grup etnicznych
vp-mon-a-white = Biała
vp-mon-a-other = Inna grupa etniczna
vp-mon-a-yes = Tak
vp-mon-a-no = Nie
vp-mon-a-definitely-agree = Zdecydowanie się zgadzam
vp-mon-a-tend-to-agree = Raczej się zgadzam
vp-mon-a-tend-to-disagree = Raczej się nie zgadzam
vp-mon-a-definitely-disagree = Zdecydowanie się nie zgadzam
vp-mon-a-dont-know = Nie wiem
vp-mon-thanks-title = Dziękujemy
vp-mon-thanks-body = Zapisaliśmy Twoje odpowiedzi osobno od Twojego głosu.
vp-mon-invalid-title = Nie mogliśmy zapisać tych odpowiedzi
vp-mon-invalid-body = Jedna z odpowiedzi nie była jedną z proponowanych. Nic nie zostało zapisane.
