# language: fr
Fonctionnalité: Gâteaux
  Scénario: Partage équitable
    Soit 12 gâteaux pour "Zoé"
    Quand on en mange 3
    Alors il reste 9 gâteaux
